// Original file: cri-proto/proto/api.proto


export interface StopContainerResponse {
}

export interface StopContainerResponse__Output {
}
