// The condition types, condition reasons, placement reasons and Event reasons a TypeScript source
// declares or emits, read from its syntax tree (no type checking, no I/O), so the runbook can be
// held to the code: a reason added anywhere in the operator shows up here without a list to update.
//
// What counts as a reason in a source:
//   - a string literal in the value of a `reason` property or variable (`reason: 'Fenced'`,
//     `const reason = a ? 'FailedOver' : 'FailoverInProgress'`, `reason = 'X'`);
//   - the reason argument of the condition helper `set(conditions, type, status, reason, message)`,
//     and its type argument (condition types);
//   - the reason argument of an Event (`events.normal(regarding, reason, action, message)`,
//     `events.warning(...)`) when it is a string literal;
//   - the members of a union type alias and the values of a const object whose name ends in Reason
//     or Cause, and string constants named *_REASON;
//   - the values of const objects named *ConditionType (condition types).
import ts from 'typescript';

export interface CodeReasons {
  readonly conditionTypes: Set<string>;
  readonly reasons: Set<string>;
}

const REASON_NAME = /(Reason|Cause)$/;
const CAMEL = /^[A-Z][A-Za-z0-9]*$/;

/** CamelCase string literals anywhere under `node`, including both arms of conditionals. */
function literalsUnder(node: ts.Node, into: Set<string>): void {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    if (CAMEL.test(node.text)) into.add(node.text);
    return;
  }
  // A reason computed from a call (`reasonOf(p)`) is that function's business; its literals are
  // found where they are written.
  if (ts.isCallExpression(node)) return;
  ts.forEachChild(node, (c) => literalsUnder(c, into));
}

const nameOf = (n: ts.PropertyName | ts.BindingName | ts.Expression): string | undefined =>
  ts.isIdentifier(n) || ts.isStringLiteral(n) ? n.text : undefined;

export function reasonsInSource(fileName: string, text: string): CodeReasons {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const conditionTypes = new Set<string>();
  const reasons = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && nameOf(node.name) === 'reason')
      literalsUnder(node.initializer, reasons);
    else if (ts.isVariableDeclaration(node) && node.initializer) {
      const name = nameOf(node.name);
      if (name === 'reason') literalsUnder(node.initializer, reasons);
      else if (name && /_REASON$/.test(name)) literalsUnder(node.initializer, reasons);
      else if (name && (REASON_NAME.test(name) || /ConditionType$/.test(name))) {
        const target = /ConditionType$/.test(name) ? conditionTypes : reasons;
        let init: ts.Expression = node.initializer;
        while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init)) init = init.expression;
        if (ts.isObjectLiteralExpression(init)) literalsUnder(init, target);
      }
    } else if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isIdentifier(node.left) &&
      node.left.text === 'reason'
    )
      literalsUnder(node.right, reasons);
    else if (ts.isTypeAliasDeclaration(node) && REASON_NAME.test(node.name.text)) {
      const collect = (t: ts.TypeNode): void => {
        if (ts.isUnionTypeNode(t)) t.types.forEach(collect);
        else if (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) && CAMEL.test(t.literal.text))
          reasons.add(t.literal.text);
      };
      collect(node.type);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const args = node.arguments;
      if (ts.isIdentifier(callee) && callee.text === 'set' && args.length >= 4) {
        literalsUnder(args[1]!, conditionTypes);
        literalsUnder(args[3]!, reasons);
      } else if (
        ts.isPropertyAccessExpression(callee) &&
        (callee.name.text === 'normal' || callee.name.text === 'warning') &&
        args.length >= 2
      )
        literalsUnder(args[1]!, reasons);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { conditionTypes, reasons };
}
