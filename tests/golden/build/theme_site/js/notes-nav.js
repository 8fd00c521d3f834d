notesNav([["Course notes","/"],["Lectures","/lectures/",[["Week 1","/lectures/week1/"]]]]);
