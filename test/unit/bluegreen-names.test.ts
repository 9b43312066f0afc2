// The color contract: which Service names stand for a color, and which annotations a copied
// Deployment keeps.
import { describe, expect, it } from 'vitest';
import {
  colorOfServiceName,
  deploymentName,
  isCarriedAnnotation,
  isColor,
  otherColor,
  previewServiceName,
} from '@expeditor/bluegreen/names';

describe('colorOfServiceName', () => {
  it.each([
    ['shop', 'shop-blue', 'blue'],
    ['shop', 'shop-green', 'green'],
    ['shop', 'shop', undefined],
    ['shop', 'shop-preview', undefined],
    ['shop', 'shop-canary', undefined],
    ['shop', 'shop-red', undefined],
    ['shop', 'other-blue', undefined],
    ['shop-api', 'shop-api-green', 'green'],
    ['shop', 'shop-api-green', undefined],
    ['shop', undefined, undefined],
  ])('service %s, name %s → %s', (service, name, color) => {
    expect(colorOfServiceName(service, name)).toBe(color);
  });
});

describe('isCarriedAnnotation', () => {
  it.each([
    ['deployment.kubernetes.io/revision', false],
    ['kubectl.kubernetes.io/last-applied-configuration', false],
    ['expeditor.dev/image', false],
    ['expeditor.dev/deployed-at', false],
    ['expeditor.dev/anything-new', false],
    ['team.example.com/owner', true],
    ['prometheus.io/scrape', true],
    ['kubernetes.io/change-cause', true],
    ['deployment.kubernetes.io/other', true],
    ['my.expeditor.dev/x', true],
  ])('%s → %s', (key, carried) => {
    expect(isCarriedAnnotation(key)).toBe(carried);
  });
});

describe('colors and names', () => {
  it.each([
    ['blue', true],
    ['green', true],
    ['Blue', false],
    ['', false],
    [undefined, false],
    [1, false],
  ])('isColor(%j) → %s', (value, expected) => {
    expect(isColor(value)).toBe(expected);
  });

  it.each([
    ['blue', 'green'],
    ['green', 'blue'],
  ] as const)('the other color of %s is %s', (color, other) => {
    expect(otherColor(color)).toBe(other);
  });

  it('names the Deployment and preview Service by convention', () => {
    expect([deploymentName('shop', 'green'), previewServiceName('shop')]).toEqual(['shop-green', 'shop-preview']);
  });
});
