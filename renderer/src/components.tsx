/** Small pieces every page uses: page header, problem banner, "not built yet" notice. */
import type { ReactNode } from 'react';
import type { AppError } from '../../shared/contract/errors';

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children ? <p className="lead">{children}</p> : null}
    </header>
  );
}

export function Problem({ error }: { error: AppError | undefined }) {
  if (!error) return null;
  const hint =
    error.kind === 'auth'
      ? ' Open ConstIntel with the link it printed when it started (it contains your access key).'
      : error.kind === 'unavailable'
        ? ' Check that ConstIntel is still running, then reload this page.'
        : '';
  return (
    <div className="problem" role="alert">
      {error.message}
      {hint}
    </div>
  );
}

/** For a page whose feature is not built yet: say so plainly, and what it will do. */
export function NotBuiltYet({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section>
      <PageHeader title={title} />
      <div className="notice" data-testid="not-built">
        <strong>This page is not built yet.</strong> {children}
      </div>
    </section>
  );
}
