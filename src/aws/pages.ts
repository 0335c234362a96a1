/**
 * Most pages one paginated listing may take. Far above any real estate (10,000 pages of 500 volumes is five
 * million volumes), so only a broken or hostile endpoint reaches it.
 */
export const MAX_PAGES = 10_000;

/**
 * Follows the `NextToken`s of one paginated AWS listing and stops it with a clear error when a token repeats
 * (a buggy or hostile endpoint would otherwise loop until the check times out) or after {@link MAX_PAGES}.
 */
export class PageTokens {
  private readonly seen = new Set<string>();
  private pages = 0;

  /** @param what the call being paged, for the error, e.g. `ec2:DescribeVolumes`. */
  constructor(
    private readonly what: string,
    private readonly maxPages = MAX_PAGES,
  ) {}

  /** The token for the next page, or undefined when the listing is done; throws on a repeat or too many pages. */
  next(token: string | undefined | null): string | undefined {
    this.pages++;
    if (!token) return undefined;
    if (this.seen.has(token)) {
      throw new Error(
        `${this.what} returned a page token it had already returned (after ${this.pages} pages); stopped paging`,
      );
    }
    if (this.pages >= this.maxPages) {
      throw new Error(`${this.what} returned more than ${this.maxPages} pages; stopped paging`);
    }
    this.seen.add(token);
    return token;
  }
}
