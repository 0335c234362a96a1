/** Resources with this tag set to `true` are never reported (DESIGN.md §4). */
export const IGNORE_TAG_KEY = 'guardrail:ignore';

type TagList = readonly { Key?: string; Value?: string }[];

/** True for EC2 tag lists or Lambda tag maps that carry `guardrail:ignore=true` (value case-insensitive). */
export function isIgnored(tags: TagList | Record<string, string> | undefined): boolean {
  if (!tags) return false;
  const value = Array.isArray(tags)
    ? (tags as TagList).find((t) => t.Key === IGNORE_TAG_KEY)?.Value
    : (tags as Record<string, string>)[IGNORE_TAG_KEY];
  return value?.trim().toLowerCase() === 'true';
}

/** EC2 tags as a plain map, for a finding's `resource`. */
export function tagMap(tags: TagList | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).flatMap((t) => (t.Key ? [[t.Key, t.Value ?? '']] : [])));
}
