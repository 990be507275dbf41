// Original file: cri-proto/proto/api.proto


export interface CheckpointPodResponse {
}

export interface CheckpointPodResponse__Output {
}
