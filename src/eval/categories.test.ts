import { describe, expect, it } from 'vitest';
import {
  CATEGORY_NAMES,
  UnknownFolderError,
  expectedOfFolder,
  folderSlug,
  isWithin,
  lineage,
} from './categories.js';

describe('expectedOfFolder', () => {
  it.each([
    ['clean', 'clean'],
    ['Clean', 'clean'],
    ['weapons', 'Weapons'],
    ['Weapons', 'Weapons'],
    ['violence', 'Violence'],
    ['alcohol', 'Alcohol'],
    ['drugs_tobacco', 'Drugs & Tobacco'],
    ['drugs-and-tobacco', 'Drugs & Tobacco'],
    ['Drugs & Tobacco', 'Drugs & Tobacco'],
    ['drugs', 'Drugs & Tobacco'],
    ['gambling', 'Gambling'],
    ['swimwear', 'Swimwear or Underwear'],
    ['swimwear-or-underwear', 'Swimwear or Underwear'],
    ['explicit', 'Explicit'],
    ['EXPLICIT_NUDITY', 'Explicit Nudity'],
    ['non-explicit-nudity', 'Non-Explicit Nudity'],
    ['non-explicit', 'Non-Explicit Nudity of Intimate parts and Kissing'],
    ['death_and_emaciation', 'Death and Emaciation'],
    ['hate symbols', 'Hate Symbols'],
  ])('%s → %s', (folder, expected) => {
    expect(expectedOfFolder(folder)).toBe(expected);
  });

  it.each([
    ['cats', /^Folder 'cats' names no category\. Folder names .*: clean, explicit, /],
    ['pills', /Pills is a level-3 label: name the folder after its category, products\./],
  ])('refuses %s, listing the names it could have', (folder, message) => {
    expect(() => expectedOfFolder(folder)).toThrow(UnknownFolderError);
    expect(() => expectedOfFolder(folder)).toThrow(message);
  });

  it("takes the labels of the config's own models, v7 names first, and lists them when refusing", () => {
    const own = ['Company Logo', 'Brand', 'Kitchen Knife'];
    expect(expectedOfFolder('company-logo', own)).toBe('Company Logo');
    expect(expectedOfFolder('Company_Logo', own)).toBe('Company Logo');
    expect(expectedOfFolder('brand', own)).toBe('Brand');
    expect(expectedOfFolder('kitchen knife', own)).toBe('Kitchen Knife');
    expect(expectedOfFolder('weapons', [...own, 'Weapons'])).toBe('Weapons');
    expect(() => expectedOfFolder('company-logo')).toThrow(UnknownFolderError);
    expect(() => expectedOfFolder('logos', own)).toThrow(
      /; your models' labels: company-logo, brand, kitchen-knife\.$/,
    );
  });

  it('gives every level-1 and level-2 category a name no other category has', () => {
    const slugs = CATEGORY_NAMES.flatMap((c) => c.folders);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect(slugs).not.toContain('clean');
    expect(CATEGORY_NAMES.filter((c) => c.level === 1)).toHaveLength(10);
    expect(CATEGORY_NAMES.filter((c) => c.level === 2)).toHaveLength(20);
  });
});

describe('folderSlug', () => {
  it.each([
    ['Drugs & Tobacco Paraphernalia & Use', 'drugs-tobacco-paraphernalia-use'],
    ['  Kissing on the Lips ', 'kissing-on-the-lips'],
    ['sex__toys', 'sex-toys'],
  ])('%s → %s', (name, slug) => expect(folderSlug(name)).toBe(slug));
});

describe('lineage', () => {
  it.each([
    ['Weapons', [], ['Weapons', 'Violence']],
    ['pills', [], ['Pills', 'Products', 'Drugs & Tobacco']],
    ['Gambling', [], ['Gambling']],
    // A backend's own parent links win over the taxonomy; unknown names stay as given.
    [
      'Knife',
      [{ Name: 'Knife', ParentName: 'Weapons', TaxonomyLevel: 3, Confidence: 90 }],
      ['Knife', 'Weapons', 'Violence'],
    ],
    ['Unheard Of', [], ['Unheard Of']],
  ])('%s → %j', (name, labels, chain) => expect(lineage(name, labels)).toEqual(chain));

  it('stops at a parent cycle instead of looping', () => {
    const labels = [
      { Name: 'A', ParentName: 'B', TaxonomyLevel: 2, Confidence: 1 },
      { Name: 'B', ParentName: 'A', TaxonomyLevel: 2, Confidence: 1 },
    ];
    expect(lineage('A', labels)).toEqual(['A', 'B']);
  });

  it.each([
    ['Weapons', 'Violence', true],
    ['Violence', 'Weapons', false],
    ['explicit nudity', 'Explicit', true],
    ['Alcohol', 'Explicit', false],
  ])('isWithin(%s, %s) is %s', (name, category, within) =>
    expect(isWithin(name, category)).toBe(within),
  );
});
