import { NotBuiltYet } from '../components';

export function ImportPage() {
  return (
    <NotBuiltYet title="Import">
      When it is, you will drop a customer or sales export from your till or Shopify here and see it checked before
      anything is saved.
    </NotBuiltYet>
  );
}
