import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ConfirmByTyping } from './confirm-by-typing';

describe('ConfirmByTyping', () => {
  it('posts the typed text as `confirm` and starts with the destructive button disabled', () => {
    const html = renderToStaticMarkup(
      <ConfirmByTyping
        expected="one-42"
        prompt="Type one-42 to confirm"
        inputTestId="confirm-input"
        buttonTestId="confirm-button"
        pending={false}
        buttonLabel="Remove"
      />,
    );
    expect(html).toMatch(/<input[^>]*data-testid="confirm-input"[^>]*name="confirm"/);
    expect(html).toMatch(/<button type="submit"[^>]*disabled=""[^>]*data-testid="confirm-button"/);
    expect(html).toContain('Type one-42 to confirm');
  });
});
