/**
 * Page-content tokens (the csv `content` column, the vmt content table): opaque strings, such as
 * a hash of a page's bytes, interned to small positive integers once per run so that the engine
 * compares integers. Two pages hold the same content exactly when their tokens are equal
 * strings, whichever trace or VM they come from. Id 0 means "no token".
 */
export class ContentNames {
  readonly names: string[] = [''];
  private readonly ids = new Map<string, number>();

  /** The id of `token` (new if unseen); '' is 0, no token. */
  id(token: string): number {
    if (token === '') return 0;
    let id = this.ids.get(token);
    if (id === undefined) {
      id = this.names.length;
      if (id > 0x3fffffff) throw new RangeError('more than 2^30 distinct content tokens in one run');
      this.names.push(token);
      this.ids.set(token, id);
    }
    return id;
  }

  /** distinct tokens seen */
  get count(): number {
    return this.names.length - 1;
  }
}
