package main

import (
	"embed"

	"github.com/grunnmur/grunnmur/site"
)

// messagesFS holds messages.json: every text the service shows, in nb, nn
// and en, for translators to edit without touching Go.
//
//go:embed messages.json
var messagesFS embed.FS

// messages are read once, when the program starts; a bad file leaves them
// empty and New returns messagesErr (a site.ErrMessages naming the key), so
// the program stops with an error rather than a panic.
var messages, messagesErr = site.LoadMessages(messagesFS, "messages.json")
