import { Link } from 'react-router';
import { PageHeader } from '../components';

export function NotFoundPage() {
  return (
    <section>
      <PageHeader title="Page not found">There is no page at this address.</PageHeader>
      <Link to="/">Go to the dashboard</Link>
    </section>
  );
}
