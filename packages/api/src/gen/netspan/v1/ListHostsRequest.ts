// Original file: /work/main/proto/netspan/v1/admin.proto


export interface ListHostsRequest__Input {
}

export interface ListHostsRequest {
}
