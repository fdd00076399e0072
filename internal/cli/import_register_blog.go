package cli

func init() {
	addCommand(command{"import", "move a blog in from a Blogger or WordPress export (import BLOG.xml)", runBlogImport})
}
