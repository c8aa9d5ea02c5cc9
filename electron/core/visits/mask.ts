/** The IIN as staff and receipts may show it: only the last four digits. */
export function maskIin(iin: string): string {
  return `••••••••${iin.slice(-4)}`;
}
