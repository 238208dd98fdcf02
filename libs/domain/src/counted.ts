/** A count with its noun, for people: "1 day", "2 days", "1,500 subscriptions". */
export function counted(count: number, noun: string): string {
  return `${count.toLocaleString('en-GB')} ${noun}${count === 1 ? '' : 's'}`;
}
