import { NotBuiltYet } from '../components';

export function ModelsPage() {
  return (
    <NotBuiltYet title="Models">
      When it is, a Retrain button here will learn which customers are at risk of leaving and what each is likely to
      spend, from your own shop's history, without an internet connection.
    </NotBuiltYet>
  );
}
