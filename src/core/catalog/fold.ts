/** Text as search compares it: accents dropped, upper case, runs of spaces collapsed. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[\s\u00a0]+/gu, ' ')
    .trim();
}

/** The words of a query as search matches them: letters and digits, accents dropped, lower case. */
export function searchTokens(text: string): string[] {
  return foldText(text).toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
