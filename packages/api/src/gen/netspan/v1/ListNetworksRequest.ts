// Original file: proto/netspan/v1/network.proto


export interface ListNetworksRequest__Input {
}

export interface ListNetworksRequest {
}
