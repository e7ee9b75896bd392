// ESLint flat config: `npm run lint` (docs/architecture.md, Tooling). Type-aware rules from
// typescript-eslint over server/, web/src/ and test/, eslint-plugin-svelte for components and
// .svelte.ts runes modules. Formatting is Prettier's job (.prettierrc), not ESLint's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default defineConfig(
  { ignores: ['web/dist/**', 'data/**', 'docs/**', 'test-results/**', '.tmp/**', 'node_modules/**'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  svelte.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        // One TypeScript program per tsconfig, as `tsc` sees it; files outside any tsconfig
        // (this config, svelte.config.js) get the default project.
        projectService: { allowDefaultProject: ['*.js', 'web/*.js'] },
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, svelteConfig },
    },
  },
  {
    // TypeScript alone cannot read a .svelte file, so typescript-eslint types every imported
    // component's props as `any` and flags each callback prop's parameter (`onselect={(id) => …}`).
    // svelte-check type-checks these files with the real component types (`npm run typecheck`).
    files: ['**/*.svelte'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    rules: {
      // TypeScript (tsc, svelte-check) already reports undefined names, with the real DOM and Node
      // types; ESLint's own check knows neither and would flag every browser or Node global.
      'no-undef': 'off',
      // Refusing NUL and other control characters at the boundary needs them in a regex.
      'no-control-regex': 'off',
      // State here is replaced, never mutated in place (`$state.raw` sets, new arrays and
      // objects); the Maps and Sets this rule flags are temporaries inside `$derived` or private
      // bookkeeping no template reads, where SvelteMap/SvelteSet would only add tracking.
      'svelte/prefer-svelte-reactivity': 'off',
      // `_name` marks a parameter or binding kept on purpose (handler signatures, destructuring
      // that drops a field).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // `void promise` is how this code marks a deliberate fire-and-forget (signal handlers,
      // timers); everything else must be awaited or handled.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      // Passing a library callback's error on as the rejection (`err ? reject(err) : resolve()`,
      // typed `any` by express-session) is right; rejecting with a literal non-Error is not.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },
  {
    // Tests and benchmarks read untyped JSON from real HTTP answers and socket messages and assert
    // on it (`Answer<T = any>`, `res.body.error.code`); requiring a schema for every `res.body.x`
    // would add noise, not safety: the assertion is the check.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Fakes implement async interfaces (fetch, loaders, actions) with `async` functions that do
      // not await: the plain way to answer a promise, and to reject one by throwing.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Config files are plain JavaScript: no type information to check them with.
    files: ['*.js', 'web/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
