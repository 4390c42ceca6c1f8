/**
 * The server's code lens titles with VS Code's icons: the server writes plain symbols and emoji
 * (other editors show them as text; VS Code without an emoji font shows boxes), and VS Code
 * renders `$(name)` as a codicon. Pure.
 */

const CODICONS: readonly (readonly [string, string])[] = [
  ['▶', '$(play)'],
  ['💡', '$(lightbulb)'],
  ['🔍', '$(search)'],
  ['✓', '$(pass)'],
  ['✗', '$(error)'],
];

export function withCodicons(title: string): string {
  return CODICONS.reduce((text, [symbol, codicon]) => text.split(symbol).join(codicon), title).replace(/\uFE0F/g, '');
}
