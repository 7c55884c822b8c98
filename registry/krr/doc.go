// Package krr is a client for Kontakt- og reservasjonsregisteret (KRR): batch
// look-up of reservation, contact information and digital mailbox, and whether a
// person may be sent digital mail.
package krr
