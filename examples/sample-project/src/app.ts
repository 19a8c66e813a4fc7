import { sum } from './utils/math.js';
import { loadInvoices } from './invoices.js';

// TODO: page through invoices instead of loading them all
export async function totalDue(customer: string): Promise<number> {
  const invoices = await loadInvoices(customer);
  return sum(invoices.filter((invoice) => !invoice.paid).map((invoice) => invoice.amount));
}
