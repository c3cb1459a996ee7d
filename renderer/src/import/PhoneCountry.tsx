/**
 * The country question of the preview: when another country reads most of the file's phone numbers than the one
 * chosen for numbers written without a code (`preview.phones`), one button uses it; the rows update to match.
 */
import type { ImportPreview } from '../../../shared/contract/imports';

export function PhoneCountryQuestion({
  phones,
  onUse,
}: {
  phones: ImportPreview['phones'];
  onUse(country: string): void;
}) {
  const { suggestion } = phones;
  if (!suggestion) return null;
  return (
    <div className="notice small" data-testid="phone-country-question">
      <p>
        Most phone numbers in this file look like {suggestion.name} numbers ({phones.unreadable.toLocaleString('en-GB')}{' '}
        of {phones.checked.toLocaleString('en-GB')} cannot be read as they are set now).
      </p>
      <button type="button" onClick={() => onUse(suggestion.country)}>
        Use {suggestion.name}
      </button>
    </div>
  );
}
