// Original file: proto/netspan/v1/admin.proto


export interface ListHostsRequest__Input {
}

export interface ListHostsRequest {
}
