// Original file: cri-proto/proto/api.proto


export interface RemoveContainerResponse {
}

export interface RemoveContainerResponse__Output {
}
