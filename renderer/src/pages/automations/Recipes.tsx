/**
 * The ready-made automations (`automations.recipes`): a card each with what it does in a sentence and "Use this
 * recipe", which opens the editor filled in (templates already chosen where the shop has one that fits).
 */
import type { AutomationView, Recipe } from '../../../../shared/contract/automations';

export function Recipes({
  recipes,
  automations,
  onUse,
}: {
  recipes: Recipe[];
  /** The shop's automations: a recipe already used says so (using it again makes a second one). */
  automations: AutomationView[];
  onUse(recipe: Recipe): void;
}) {
  return (
    <section aria-labelledby="recipes-heading" className="panel">
      <h2 id="recipes-heading">Ready-made recipes</h2>
      <p className="hint">Pick one to start from: you can change everything before you save it.</p>
      <ul className="candidates recipes">
        {recipes.map((r) => (
          <li key={r.name} className="candidate recipe" data-testid={`recipe-${r.name}`}>
            <h3>{r.title}</h3>
            <p>{r.description}</p>
            {automations.some((a) => a.recipe === r.name) ? (
              <p className="hint">
                You already have it: “{automations.find((a) => a.recipe === r.name)?.name}” above. Using it again makes
                a second one.
              </p>
            ) : null}
            <button type="button" className="secondary small" onClick={() => onUse(r)}>
              Use this recipe<span className="sr-only">: {r.title}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
