/** `%`, `_` and `\` typed by a user are literal characters in an ILIKE pattern, not wildcards. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** An ILIKE pattern matching `text` anywhere, taken literally. */
export const containsPattern = (text: string) => `%${escapeLike(text)}%`;
