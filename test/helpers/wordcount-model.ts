/**
 * The word count's specification as a plain function, independent of Sluice: lowercase, split on
 * anything that is not a letter or a digit, count, and write `{"word","count"}` JSON lines sorted
 * by count (most first), then by word; with `withChars`, `{"word","count","chars"}` lines, `chars`
 * being the word's length in Unicode code points times its count.
 */
export function wordcountModel(text: string, options: { readonly withChars?: boolean } = {}): string {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (word !== '') counts.set(word, (counts.get(word) ?? 0) + 1);
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .map(([word, count]) => `${JSON.stringify(options.withChars === true ? { word, count, chars: Array.from(word).length * count } : { word, count })}\n`)
    .join('');
}
