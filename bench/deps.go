package main

import (
	_ "codeberg.org/readeck/go-readability/v2"
	_ "github.com/kabarnews/kabar/internal/extract"
	_ "github.com/markusmobius/go-trafilatura"
)

func main() {}
