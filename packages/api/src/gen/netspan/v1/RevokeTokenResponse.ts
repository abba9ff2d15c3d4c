// Original file: proto/netspan/v1/admin.proto


export interface RevokeTokenResponse__Input {
}

export interface RevokeTokenResponse {
}
