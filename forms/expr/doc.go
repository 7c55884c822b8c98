// Package expr is Altinn 3's expression language: the engine behind a form's
// hidden, required and readOnly rules and its custom validations. An
// expression is JSON, a literal or a function call written as an array:
//
//	e, err := expr.Parse([]byte(`["and", ["equals", ["component", "uteservering"], "ja"],
//		["greaterThan", ["dataModel", "/skjenkested/arealUte"], 0]]`))
//	if err != nil { ... } // unknown function, wrong arity, a literal of the wrong type
//	hidden, err := e.EvalBool(&expr.Context{Env: env}) // env reads components and data
//
// Parse compiles once; a compiled Expr is immutable and safe for concurrent
// use. Evaluation reads the form through an [Env] (package forms implements
// it for a definition and its data, with repeating-group rows and hidden
// components) and does no I/O.
//
// # Functions
//
// component, dataModel, argv, and, or, not, if, equals, notEquals,
// greaterThan(Eq), lessThan(Eq), compare (with not, isBefore, isAfter,
// isSameDay ...), concat, contains, notContains, startsWith, endsWith,
// commaContains, lowerCase(First), upperCase(First), stringLength,
// stringIndexOf, stringSlice, stringReplace, plus, minus, multiply, divide,
// round and formatDate (nb, nn, en, se), with Altinn's casting rules
// ([Value.AsBool], [Value.AsNumber], [Value.AsString]). String positions
// count UTF-16 code units, as in Altinn.
//
// # Conformance
//
// Altinn's own shared tests (testdata/altinn-expressions, with SOURCE.txt
// and LICENCE.txt) are the conformance suite: all 754 cases of these
// functions pass. The cases of Altinn platform functions (instanceContext,
// text, displayValue ...) are counted and skipped by name.
//
// # Errors and personal data
//
// Every error is an [*Error] that wraps [ErrExpression] and says where in
// the expression it is. A run-time error never quotes a value: it may come
// from a citizen's data.
//
// # Glossary
//
// Terms kept from Altinn's specification: component (a form field by id),
// dataModel (the submission's JSON), argv (positional arguments, the value a
// custom validation checks), formatDate patterns (Unicode LDML: dd.MM.yyyy,
// EEEE d. MMMM).
package expr
