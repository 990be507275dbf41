/**
 * The gRPC errors etcd answers with, codes and messages as in etcd-io/etcd
 * api/v3rpc/rpctypes/error.go@v3.6.14 (ErrGRPC*). Thrown by the store as EtcdError and sent as the status.
 */
export const ETCD_ERRORS = {
  emptyKey: { code: 3 /* INVALID_ARGUMENT */, message: 'etcdserver: key is not provided' },
  duplicateKey: { code: 3, message: 'etcdserver: duplicate key given in txn request' },
  compacted: { code: 11 /* OUT_OF_RANGE */, message: 'etcdserver: mvcc: required revision has been compacted' },
  futureRev: { code: 11, message: 'etcdserver: mvcc: required revision is a future revision' },
  leaseNotFound: { code: 5 /* NOT_FOUND */, message: 'etcdserver: requested lease not found' },
  leaseExist: { code: 9 /* FAILED_PRECONDITION */, message: 'etcdserver: lease already exists' },
  leaseTTLTooLarge: { code: 11, message: 'etcdserver: too large lease TTL' },
} as const;

export type EtcdErrorName = keyof typeof ETCD_ERRORS;

export class EtcdError extends Error {
  readonly code: number;
  constructor(readonly errorName: EtcdErrorName) {
    super(ETCD_ERRORS[errorName].message);
    this.code = ETCD_ERRORS[errorName].code;
  }
}

/** Whether an error (e.g. a gRPC ServiceError on the client side) is etcd's "compacted". */
export function isCompactedError(err: unknown): boolean {
  return err instanceof Error && err.message.includes(ETCD_ERRORS.compacted.message);
}
