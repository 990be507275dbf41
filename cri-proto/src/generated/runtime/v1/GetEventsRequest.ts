// Original file: cri-proto/proto/api.proto


export interface GetEventsRequest {
}

export interface GetEventsRequest__Output {
}
