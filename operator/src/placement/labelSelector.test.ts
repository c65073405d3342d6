import { describeLabelSelector, labelSelectorProblems, matchesLabelSelector } from './labelSelector.js';

describe('matchesLabelSelector', () => {
  const labels = { tier: 'gold', region: 'eu-west', pci: '' };

  it('matches everything with an absent or empty selector', () => {
    expect(matchesLabelSelector(undefined, labels)).toBe(true);
    expect(matchesLabelSelector({}, labels)).toBe(true);
    expect(matchesLabelSelector({}, {})).toBe(true);
  });

  it('requires every matchLabels pair', () => {
    expect(matchesLabelSelector({ matchLabels: { tier: 'gold' } }, labels)).toBe(true);
    expect(matchesLabelSelector({ matchLabels: { tier: 'gold', region: 'eu-north' } }, labels)).toBe(false);
    expect(matchesLabelSelector({ matchLabels: { missing: '' } }, labels)).toBe(false);
    expect(matchesLabelSelector({ matchLabels: { pci: '' } }, labels)).toBe(true);
  });

  it('implements In, NotIn, Exists and DoesNotExist', () => {
    const m = (operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist', key: string, values?: string[]) =>
      matchesLabelSelector({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] }, labels);
    expect(m('In', 'tier', ['gold', 'silver'])).toBe(true);
    expect(m('In', 'tier', ['silver'])).toBe(false);
    expect(m('In', 'missing', ['x'])).toBe(false);
    expect(m('NotIn', 'tier', ['silver'])).toBe(true);
    expect(m('NotIn', 'tier', ['gold'])).toBe(false);
    expect(m('NotIn', 'missing', ['x'])).toBe(true);
    expect(m('Exists', 'pci')).toBe(true);
    expect(m('Exists', 'missing')).toBe(false);
    expect(m('DoesNotExist', 'missing')).toBe(true);
    expect(m('DoesNotExist', 'tier')).toBe(false);
  });

  it('ANDs matchLabels and matchExpressions', () => {
    const selector = {
      matchLabels: { tier: 'gold' },
      matchExpressions: [{ key: 'region', operator: 'In' as const, values: ['eu-north'] }],
    };
    expect(matchesLabelSelector(selector, labels)).toBe(false);
    expect(matchesLabelSelector(selector, { ...labels, region: 'eu-north' })).toBe(true);
  });

  it('does not treat inherited properties as labels', () => {
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, {})).toBe(
      false,
    );
    expect(matchesLabelSelector({ matchLabels: { constructor: 'x' } }, {})).toBe(false);
  });

  it('matches nothing when the selector is invalid', () => {
    const invalid = { matchExpressions: [{ key: 'tier', operator: 'In' as const, values: [] }] };
    expect(labelSelectorProblems(invalid)).toEqual([
      'matchExpressions[0] (key tier): operator In needs values',
    ]);
    expect(matchesLabelSelector(invalid, labels)).toBe(false);
    const withValues = { matchExpressions: [{ key: 'tier', operator: 'Exists' as const, values: ['x'] }] };
    expect(labelSelectorProblems(withValues)).toHaveLength(1);
    const unknown = { matchExpressions: [{ key: 'tier', operator: 'Gt' as unknown as 'In', values: ['1'] }] };
    expect(labelSelectorProblems(unknown)[0]).toContain('unknown operator Gt');
  });
});

describe('describeLabelSelector', () => {
  it('reads like kubectl', () => {
    expect(describeLabelSelector(undefined)).toBe('{} (everything)');
    expect(
      describeLabelSelector({
        matchLabels: { tier: 'gold' },
        matchExpressions: [
          { key: 'region', operator: 'In', values: ['eu-west', 'eu-north'] },
          { key: 'legacy', operator: 'DoesNotExist' },
          { key: 'pci', operator: 'Exists' },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
        ],
      }),
    ).toBe('tier=gold, region in (eu-north, eu-west), !legacy, pci, env notin (dev)');
  });
});
