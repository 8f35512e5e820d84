import { describe, expect, it } from 'vitest';
import { resolveStaticPath } from '../../../src/runtime/api/static.js';

describe('static path resolution', () => {
  it.each([
    ['/', { spa: true }],
    ['/resources/Deployment/default/web', { spa: true }],
    ['/passes', { spa: true }],
    ['/index.html', { spa: true }],
    ['/assets/app-1a2b.js', { file: 'assets/app-1a2b.js', immutable: true }],
    ['/assets/fonts/inter.woff2', { file: 'assets/fonts/inter.woff2', immutable: true }],
    ['/assets/a%20b.css', { file: 'assets/a b.css', immutable: true }],
    ['/favicon.svg', { file: 'favicon.svg', immutable: false }],
    ['/robots.txt', { file: 'robots.txt', immutable: false }],
    ['/api/v1/nope', { refuse: true }],
    ['/api', { refuse: true }],
    ['/assets/', { refuse: true }],
    ['/assets/..', { refuse: true }],
    ['/assets/%2e%2e/x', { refuse: true }],
    ['/assets/..%2f..%2fetc%2fpasswd', { refuse: true }],
    ['/assets/..%5c..%5cetc', { refuse: true }],
    ['/assets/a%00.js', { refuse: true }],
    ['/assets/.env', { refuse: true }],
    ['/assets/a//b.js', { refuse: true }],
    ['/assets/%E0%A4%A', { refuse: true }],
  ] as const)('%s → %j', (path, expected) => {
    expect(resolveStaticPath(path)).toEqual(expected);
  });
});
