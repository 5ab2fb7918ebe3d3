"""The page's wording until the authority changes it: plain statements of the duty and of how to
tell the team about a child, written from the statutory guidance (Children missing education,
DfE, 2016, revised 2024 and re-issued 2025) and section 436A of the Education Act 1996.
`{authority}` is the authority's name, `{phone}` its contact number. Paragraphs are separated
by a blank line, as the edit form asks.
"""

WHAT_IS_CME = "\n\n".join(
    [
        "A child missing education is a child of compulsory school age who is not on a school "
        "roll and is not receiving a suitable education otherwise than at school (for example, "
        "at home).",
        "The council has a legal duty to identify, as far as it can, these children (section "
        "436A of the Education Act 1996). Children can miss education because they do not start "
        "school at the right time, do not move on from one school to the next, move home often, "
        "move to the area and do not find a school place, or are taken out of school. Children "
        "missing education can be at greater risk of harm.",
        "{authority}'s Children Missing Education (CME) team finds these children, makes "
        "enquiries about them with schools and other services, and works to get each one back "
        "into education.",
    ]
)

HOW_TO_REFER = "\n\n".join(
    [
        "If you know of a child who you think is not at school and not being educated, tell us. "
        "You do not need to be sure, and you do not need to give your name.",
        "Schools must tell us when a pupil is removed from the admission register, using the "
        "online return or the blank form below. Other services can refer through their "
        "cmetrack account or on the blank referral form.",
        "If a child is in immediate danger, call the police on 999.",
    ]
)

CONTACT = "Ring the contact centre on {phone} and ask for the Children Missing Education team."
