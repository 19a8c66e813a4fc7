export interface Invoice {
  id: string;
  customer: string;
  amount: number;
  paid: boolean;
}

// TODO: read from the database, not the sample CSV
export async function loadInvoices(customer: string): Promise<Invoice[]> {
  const { readFile } = await import('node:fs/promises');
  const rows = (await readFile(new URL('../data/invoices.csv', import.meta.url), 'utf8')).trim().split('\n').slice(1);
  return rows
    .map((row) => row.split(','))
    .map(([id, name, amount, paid]) => ({ id: id!, customer: name!, amount: Number(amount), paid: paid === 'yes' }))
    .filter((invoice) => invoice.customer === customer);
}
