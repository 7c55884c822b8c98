// Package forms turns one JSON form definition into an accessible multi-page HTML
// form, identical server-side validation with messages in nb, nn and en, drafts,
// a check-your-answers page and a receipt. Expressions follow Altinn 3's expression
// language; hidden fields are neither validated nor stored.
package forms
