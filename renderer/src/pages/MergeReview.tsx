import { NotBuiltYet } from '../components';

export function MergeReviewPage() {
  return (
    <NotBuiltYet title="Merge review">
      When it is, ConstIntel will ask you here before joining profiles it is not sure belong to the same person.
    </NotBuiltYet>
  );
}
