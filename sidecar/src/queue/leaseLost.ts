// Raised when an outcome cannot be recorded because this worker no longer holds the row's lease.
export class LeaseLostError extends Error {
  constructor(readonly rowId: number) {
    super(`the lease on queue row ${rowId} was lost before its outcome was recorded`);
    this.name = 'LeaseLostError';
  }
}
