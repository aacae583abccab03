/**
 * One CSV field (RFC 4180), safe to open in a spreadsheet: text starting with `=`, `+`, `-`,
 * `@`, a tab or a carriage return — which Excel, LibreOffice and Sheets would run as a formula —
 * gets a leading `'` (OWASP "CSV Injection"); then a field holding `"`, `,` or a line break is
 * quoted. User ids come from clients (write keys ship in browsers), so nothing here is trusted.
 *
 * @example
 * csvCell('=cmd|\' /C calc\'!A0'); // "'=cmd|' /C calc'!A0"
 * csvCell('a,b');                   // '"a,b"'
 */
export function csvCell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
