"""The platform templates of the demo portal, one module per CMS, registered by name.

``TEMPLATES[name]`` is the ``Template`` subclass of that platform (its routing; the module
it lives in renders the pages); ``app_for(site)`` the instance serving one site of the
simulated world (``world.Site.template`` names the template, by default the site's platform).
"""
from __future__ import annotations

from . import anhui, attachments, generic, gkmlpt, hanweb, jpage, trs, ucap
from .base import Template

TEMPLATES: dict[str, type[Template]] = {}


def register(cls: type[Template], module) -> type[Template]:
    cls.pages = module
    TEMPLATES[cls.name] = cls
    return cls


for _module, _cls in ((trs, trs.TrsTemplate), (hanweb, hanweb.HanwebTemplate), (jpage, jpage.JpageTemplate),
                      (ucap, ucap.UcapTemplate), (gkmlpt, gkmlpt.GkmlptTemplate), (anhui, anhui.AnhuiTemplate),
                      (generic, generic.GenericTemplate), (attachments, attachments.AttachmentTemplate),
                      (attachments, attachments.BadFilesTemplate)):
    register(_cls, _module)


def app_for(site) -> Template:
    """The template instance that serves ``site``."""
    return TEMPLATES[site.template_name](site)


__all__ = ["TEMPLATES", "Template", "app_for", "register"]
