/** Bad command-line usage or a bad input file, found by the CLI itself: exit status 2 (runtime.ts exitCodeFor). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
