import { NotBuiltYet } from '../components';

export function CustomersPage() {
  return (
    <NotBuiltYet title="Customers">
      When it is, you will find every customer here, one profile per real person, searchable by name, email, phone or
      loyalty number.
    </NotBuiltYet>
  );
}
