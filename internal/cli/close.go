package cli

import "io"

// closeAfter closes c as a command returns, for use in a defer, and makes
// its error the command's when the command had none: a store that could not
// write its last changes, or a file that was not written whole, must not
// end a command with exit status 0.
func closeAfter(err *error, c io.Closer) {
	if cerr := c.Close(); cerr != nil && *err == nil {
		*err = cerr
	}
}
