"""`{% personal "name" %}…{% endpersonal %}`: a part of a whole-page-cached page that differs
for a signed-in visitor (the site navigation, an event's booking form).

It renders its content as usual, between HTML comments that name it. For a signed-in visitor,
eventmate.core.pagecache.personal_from_cache serves the anonymous copy of the page with each
such part replaced by the visitor's own, rendered by the view's `personal` function.
"""

from django import template
from django.utils.safestring import mark_safe

from eventmate.core.pagecache import personal_part

register = template.Library()


class PersonalNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        return mark_safe(personal_part(self.name, self.nodelist.render(context)))


@register.tag
def personal(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('usage: {% personal "name" %}…{% endpersonal %}')
    name = bits[1][1:-1]
    if not name or not all(ch.isalnum() or ch == "-" for ch in name) or name != name.lower():
        raise template.TemplateSyntaxError("personal: the name is lower-case letters, digits, -")
    nodelist = parser.parse(("endpersonal",))
    parser.delete_first_token()
    return PersonalNode(name, nodelist)
