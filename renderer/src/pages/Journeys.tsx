import { NotBuiltYet } from '../components';

export function JourneysPage() {
  return (
    <NotBuiltYet title="Journeys">
      When it is, you will see where each customer is, from first visit to loyal regular, and the next best thing to do
      for them.
    </NotBuiltYet>
  );
}
