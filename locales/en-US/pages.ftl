app-name = Anjoman
page-not_found-title = Page not found
page-not_found-body = There is nothing at this address. Check the link, or go back to the start page.
page-error-title = Something went wrong
page-error-body = An unexpected error happened on our side. It has been logged; please try again in a moment.
page-back-home = Back to Anjoman
page-request-id = Request id: { $id }
page-csrf-title = This form has expired
page-csrf-body = The form was sent without its security token, or from another site. Go back, reload the page and try again.
# Each language's own name, for the language switch.
language-name = English
