// Original file: proto/netspan/v1/admin.proto


export interface ListTokensRequest__Input {
}

export interface ListTokensRequest {
}
