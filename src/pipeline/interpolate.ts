// Environment variables in pipeline files, replaced inside string values after YAML parsing so
// that a value can never change the document's structure: ${VAR}, ${VAR:-default} (when unset or
// empty), ${VAR:?message} (an error when unset or empty); $${ writes ${ literally.

const REFERENCE = /\$\$\{|\$\{([^}]*)(\}?)/g;
const FORM = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)(.*))?$/s;

/** The text with variables replaced, or what is wrong and where (`index` into the text). */
export function interpolate(text: string, env: Record<string, string | undefined>): { value: string } | { error: string; index: number } {
  let failure: { error: string; index: number } | undefined;
  const value = text.replace(REFERENCE, (whole: string, body: string | undefined, closed: string, index: number) => {
    if (body === undefined) return '${';
    if (failure) return whole;
    const m = FORM.exec(body);
    if (!closed || !m) {
      const error = `bad variable reference '${whole}': use \${NAME}, \${NAME:-default} or \${NAME:?message}, or $\${ for a literal \${`;
      failure = { error, index };
      return whole;
    }
    const [, name, how, rest] = m as unknown as [string, string, string | undefined, string];
    const set = env[name];
    if (set) return set;
    if (how === ':-') return rest;
    if (how === ':?') failure = { error: `${name}: ${rest || 'is not set'}`, index };
    else if (set === undefined) failure = { error: `variable ${name} is not set (write \${${name}:-default} to give a default)`, index };
    return set ?? '';
  });
  return failure ?? { value };
}
