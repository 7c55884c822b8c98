// Package forms turns one JSON form definition into an accessible multi-page HTML
// form, identical server-side validation with messages in nb, nn and en, drafts,
// a check-your-answers page and a receipt. Expressions follow Altinn 3's expression
// language (package forms/expr); hidden fields are neither validated nor stored.
//
//	def, err := forms.Load("skjenkebevilling.json") // every problem named by place
//	if err != nil { ... }
//	data, err := def.ParseData(r.Body)               // bounded; JSON object only
//	res := def.Validate(data, forms.Options{Lang: i18n.NN})
//	for _, e := range res.Errors {
//		fmt.Println(e.Pointer, e.Component, e.Message) // /styrer/fodselsnummer styrer-fnr «Fødselsnummer» ...
//	}
//	store(res.Data) // pruned: only what visible components hold
//
// Or serve the whole journey, drafts and receipt included:
//
//	flow := &forms.Flow{Def: def, Owner: ownerOf} // nil Store and Files: kept in memory
//	mux.Handle("/soknad/", http.StripPrefix("/soknad", flow.Limit(flow)))
//
// # Definitions
//
// A definition has pages of components. Each component has an id, a type
// (text, textarea, number, date, radio, checkboxes, select, yesno, email,
// phone, fodselsnummer, orgnr, kontonummer, postnummer, address, amount, file,
// repeating, group, info), a JSON Pointer it is bound to ("/soker/navn";
// inside a repeating group relative to the row) and text keys (label,
// description) that the definition's texts table must have in nb, nn and en.
// hidden, required and readOnly are expressions; validations add custom
// checks with their own message. An optional JSON Schema 2020-12 (checked by
// santhosh-tekuri/jsonschema) validates the pruned data model; form logic
// stays in expressions, not in if/then schemas. Parse checks all of this and
// names the place of every problem, so a missing text is never found at run
// time.
//
// Each component type has its own check. An amount is kroner with at most
// two decimals, read exactly into a money.Amount from its text ("1 500,50",
// 1500.5), never through a float, and shown with i18n.Lang.Amount.
//
// # Expressions
//
// Expressions are Altinn 3's: ["equals", ["component", "uteservering"], "ja"].
// The engine is package forms/expr, whose conformance suite is Altinn's own
// shared tests. A Definition is its Env: inside a repeating group,
// component and dataModel resolve within the current row, and a hidden
// component reads as null. Definition.Eval evaluates one expression against
// data.
//
// # Hidden means pruned
//
// A component is hidden when its page, a group it is in, its row or its own
// hidden expression says so. A hidden component is not validated, and its data
// is not in Result.Data, the receipt or any export. Data bound to no component
// is dropped too.
//
// # HTML
//
// Renderer writes pages that work without JavaScript, in the GOV.UK error
// pattern, with Designsystemet's ds-* classes; agencies can override any
// template. DecodeForm reads a page's post back into the data. RenderCheck
// writes the check-your-answers page and RenderReceipt the receipt, both
// from Definition.Summary, which lists the answers with the form's labels in
// nb, nn or en for any other page, letter or PDF too. The receipt's
// canonical JSON (ReceiptJSON) has a SHA-256 that can be quoted later.
// Messages name fields as citizens read them: a label that two fields on a
// page share gets its group's label ("Fullt navn (Styrer)"), and a refused
// file type is named in words (FileTypeName: "PDF", not application/pdf).
// Dates and times are written by package i18n ("kl. 07.08" in Norwegian,
// "07:08" in English), in Europe/Oslo unless the Renderer says otherwise.
//
// # Drafts and submissions
//
// A Store keeps drafts and submissions, owned by a person or an organisation
// through opaque owner keys (OwnerKeys, keyed by a secret.Value), so that a
// store holds personal numbers only inside the data that asks for them.
// MemoryStore is the in-memory store; postgres.FormsStore the PostgreSQL
// one; both pass formstest.TestStore. A Flow whose Store is nil keeps its
// own MemoryStore.
//
// Citizens type anything. DecodeForm cleans every posted value once (bytes
// that are not UTF-8 become U+FFFD, NUL is dropped), so what a Flow saves,
// renders and submits is valid text. Every store refuses a string that is not
// UTF-8 or holds a NUL with ErrInvalidText (the file stores too, for names),
// rather than changing it without a word or failing in the database.
//
// An abandoned draft is personal data kept without a purpose: DraftExpiry
// is the background job that deletes drafts left for longer than its MaxAge,
// and their uploads (Run(ctx, every), or RunOnce(ctx) for one pass).
//
// HTTPStatus maps the package's errors to a status and a stable code
// ("not_found", "already_submitted", "draft_version"), as Flow answers.
//
// # Uploads
//
// A Flow stores uploads through a FileStore (Put); the form data holds only
// their references (id, name, content type, size). Files adds Open and List,
// so that a case officer and the archive can read the applicant's
// attachments back; Open does not check the owner, the service decides who
// may read. A store has a MaxSize and stores nothing past it
// (ErrFileTooLarge) or when the upload fails midway. MemoryFileStore is the
// in-memory store; postgres.FileStore the PostgreSQL one; both pass
// formstest.TestFileStore. A Flow whose Files is nil keeps its own
// MemoryFileStore.
//
// Definition.Attachments lists the files a submission refers to, with their
// fields' labels, counting only the submission owner's own uploads, and
// Definition.ServeAttachment sends one of them as a download, answering any
// other id, someone else's file among them, with ErrFileNotFound:
//
//	err := def.ServeAttachment(w, r, files, sub, r.PathValue("file")) // after checking who may see sub
//
// A page post may be as large as the form's maxBodyBytes plus its file
// fields' sizes, and no larger. Middleware that reads the form before the
// Flow (the auth package's CSRF check) goes inside Flow.Limit, so that it
// reads the body under that limit:
//
//	mux.Handle("/soknad/", login(http.StripPrefix("/soknad", flow.Limit(sessions.CSRF(flow)))))
//
// # Glossary
//
// The definition format and the data keep the Norwegian terms of the
// registers they come from; identifiers built on them keep them too:
//
//   - fødselsnummer (TypeFodselsnummer): the national identity number, or a
//     D-number, of 11 digits (Skatteetaten);
//   - organisasjonsnummer (TypeOrgnr): an organisation's 9-digit number in
//     Enhetsregisteret;
//   - kontonummer (TypeKontonummer): a Norwegian bank account number, 11
//     digits;
//   - postnummer, poststed (TypePostnummer, AddressPostnummer,
//     AddressPoststed): Posten's 4-digit postcode and its post town;
//     "adresse" (AddressLine) is the street address;
//   - "ja"/"nei" (TypeYesNo): how a yes/no answer is stored;
//   - skjenkebevilling: a licence to serve alcohol, the example form.
package forms
