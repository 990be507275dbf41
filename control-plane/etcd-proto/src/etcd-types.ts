/**
 * The etcd v3 messages as @grpc/proto-loader hands them over with our load options (keepCase, int64 as
 * JavaScript numbers, bytes as Buffers, enums as their names, oneofs named): field names are those of
 * etcd-io/etcd api/etcdserverpb/rpc.proto and api/mvccpb/kv.proto (../proto). Revisions and lease ids stay
 * far below 2^53 in a simulation, so numbers are exact.
 */
export interface KeyValue {
  key: Buffer;
  create_revision: number;
  mod_revision: number;
  version: number;
  value: Buffer;
  lease: number;
}

export type EventType = 'PUT' | 'DELETE';

export interface MvccEvent {
  type: EventType;
  kv: KeyValue;
  prev_kv?: KeyValue | null;
}

export interface ResponseHeader {
  cluster_id: number;
  member_id: number;
  revision: number;
  raft_term: number;
}

export type SortOrder = 'NONE' | 'ASCEND' | 'DESCEND';
export type SortTarget = 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';

export interface RangeRequest {
  key: Buffer;
  range_end?: Buffer;
  limit?: number;
  revision?: number;
  sort_order?: SortOrder;
  sort_target?: SortTarget;
  serializable?: boolean;
  keys_only?: boolean;
  count_only?: boolean;
  min_mod_revision?: number;
  max_mod_revision?: number;
  min_create_revision?: number;
  max_create_revision?: number;
}

export interface RangeResponse {
  header?: ResponseHeader;
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

export interface PutRequest {
  key: Buffer;
  value?: Buffer;
  lease?: number;
  prev_kv?: boolean;
  ignore_value?: boolean;
  ignore_lease?: boolean;
}

export interface PutResponse {
  header?: ResponseHeader;
  prev_kv?: KeyValue | null;
}

export interface DeleteRangeRequest {
  key: Buffer;
  range_end?: Buffer;
  prev_kv?: boolean;
}

export interface DeleteRangeResponse {
  header?: ResponseHeader;
  deleted: number;
  prev_kvs: KeyValue[];
}

export interface RequestOp {
  request?: 'request_range' | 'request_put' | 'request_delete_range' | 'request_txn';
  request_range?: RangeRequest | null;
  request_put?: PutRequest | null;
  request_delete_range?: DeleteRangeRequest | null;
  request_txn?: TxnRequest | null;
}

export interface ResponseOp {
  response_range?: RangeResponse;
  response_put?: PutResponse;
  response_delete_range?: DeleteRangeResponse;
  response_txn?: TxnResponse;
}

export type CompareResult = 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
export type CompareTarget = 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';

export interface Compare {
  result?: CompareResult;
  target?: CompareTarget;
  key: Buffer;
  target_union?: 'version' | 'create_revision' | 'mod_revision' | 'value' | 'lease';
  version?: number;
  create_revision?: number;
  mod_revision?: number;
  value?: Buffer;
  lease?: number;
  range_end?: Buffer;
}

export interface TxnRequest {
  compare?: Compare[];
  success?: RequestOp[];
  failure?: RequestOp[];
}

export interface TxnResponse {
  header?: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface CompactionRequest {
  revision: number;
  physical?: boolean;
}

export type WatchFilterType = 'NOPUT' | 'NODELETE';

export interface WatchCreateRequest {
  key: Buffer;
  range_end?: Buffer;
  start_revision?: number;
  progress_notify?: boolean;
  filters?: WatchFilterType[];
  prev_kv?: boolean;
  watch_id?: number;
  fragment?: boolean;
}

export interface WatchRequest {
  request_union?: 'create_request' | 'cancel_request' | 'progress_request';
  create_request?: WatchCreateRequest | null;
  cancel_request?: { watch_id: number } | null;
  progress_request?: Record<string, never> | null;
}

export interface WatchResponse {
  header?: ResponseHeader;
  watch_id: number;
  created?: boolean;
  canceled?: boolean;
  compact_revision?: number;
  cancel_reason?: string;
  fragment?: boolean;
  events: MvccEvent[];
}

export interface LeaseGrantRequest {
  TTL: number;
  ID?: number;
}

export interface LeaseGrantResponse {
  header?: ResponseHeader;
  ID: number;
  TTL: number;
  error: string;
}
