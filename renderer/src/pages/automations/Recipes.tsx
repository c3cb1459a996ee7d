/**
 * The ready-made automations (`automations.recipes`): a card each with what it does in a sentence and "Use this
 * recipe", which opens the editor filled in (templates already chosen where the shop has one that fits).
 */
import type { Recipe } from '../../../../shared/contract/automations';

export function Recipes({ recipes, onUse }: { recipes: Recipe[]; onUse(recipe: Recipe): void }) {
  return (
    <section aria-labelledby="recipes-heading" className="panel">
      <h2 id="recipes-heading">Ready-made recipes</h2>
      <p className="hint">Pick one to start from: you can change everything before you save it.</p>
      <ul className="candidates recipes">
        {recipes.map((r) => (
          <li key={r.name} className="candidate recipe" data-testid={`recipe-${r.name}`}>
            <h3>{r.title}</h3>
            <p>{r.description}</p>
            <button type="button" className="secondary small" onClick={() => onUse(r)}>
              Use this recipe<span className="sr-only">: {r.title}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
